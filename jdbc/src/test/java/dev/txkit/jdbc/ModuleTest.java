package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Checks the compiled module descriptor: only the API package is exported, the internals to nobody. */
class ModuleTest {

  @Test
  void exportsOnlyTheApiPackage() {
    Set<ModuleReference> modules = ModuleFinder.of(Path.of("target/classes")).findAll();
    assertEquals(1, modules.size(), "one module in target/classes");
    ModuleDescriptor descriptor = modules.iterator().next().descriptor();
    assertEquals("dev.txkit.jdbc", descriptor.name());
    assertFalse(descriptor.isOpen() || descriptor.isAutomatic());

    Map<String, Set<String>> exports = descriptor.exports().stream()
        .collect(Collectors.toMap(Exports::source, Exports::targets));
    assertEquals(Map.of("dev.txkit.jdbc", Set.of()), exports);
    assertTrue(descriptor.opens().isEmpty(), "no package is opened");
    assertEquals(Set.of("dev.txkit.jdbc", "dev.txkit.jdbc.internal"), descriptor.packages(),
        "no other package ships in the module");

    // HikariCP stays optional: only the convenience factory uses it
    Map<String, Set<Requires.Modifier>> requires = descriptor.requires().stream()
        .collect(Collectors.toMap(Requires::name, Requires::modifiers));
    assertEquals(Set.of(Requires.Modifier.STATIC), requires.get("com.zaxxer.hikari"));
    assertEquals(Set.of(Requires.Modifier.TRANSITIVE), requires.get("dev.txkit.core"));
  }
}
