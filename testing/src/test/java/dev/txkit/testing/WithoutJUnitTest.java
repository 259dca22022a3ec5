package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kit works without JUnit on the class path (junit-jupiter-api is an optional dependency). */
class WithoutJUnitTest {

  @Test
  void runsAFaultScenarioWithNoJUnitClassesAround() throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    for (String entry : cp.split(File.pathSeparator)) {
      if (!entry.contains("junit") && !entry.contains("opentest4j") && !entry.contains("apiguardian")
          && !entry.isBlank()) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]),
        ClassLoader.getPlatformClassLoader())) {
      assertThrows(ClassNotFoundException.class, () -> loader.loadClass("org.junit.jupiter.api.Test"));
      Class<?> scenario = loader.loadClass(PlainScenario.class.getName());
      Object result = scenario.getMethod("run").invoke(null);
      assertEquals("attempts=2 rows=1", result);
      assertTrue(urls.size() > 3, urls.toString());
    }
  }
}
