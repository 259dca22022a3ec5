package dev.txkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Checks the compiled module descriptor: the API and the binding SPI are exported, the engine's internals to
 * nobody (a binding needs no access to engine state: it works through {@code dev.txkit.spi}).
 */
class ModuleTest {

  @Test
  void exportsTheApiAndTheSpiAndNoInternals() {
    Set<ModuleReference> modules = ModuleFinder.of(Path.of("target/classes")).findAll();
    assertEquals(1, modules.size(), "one module in target/classes");
    ModuleDescriptor descriptor = modules.iterator().next().descriptor();
    assertEquals("dev.txkit.core", descriptor.name());
    assertTrue(!descriptor.isOpen() && !descriptor.isAutomatic());

    Map<String, Set<String>> exports = descriptor.exports().stream()
        .collect(Collectors.toMap(Exports::source, Exports::targets));
    assertEquals(Map.of(
        "dev.txkit", Set.of(),
        "dev.txkit.spi", Set.of()), exports);
    assertEquals(Set.of("dev.txkit", "dev.txkit.spi", "dev.txkit.internal"), descriptor.packages());
    assertTrue(descriptor.opens().isEmpty(), "no package is opened");
  }
}
