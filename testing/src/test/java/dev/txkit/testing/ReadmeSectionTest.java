package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README section shows exactly the example that {@link ReadmeExampleTest} runs. */
class ReadmeSectionTest {

  @Test
  void readmeShowsTheTestedExample() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    String example = Files.readString(Path.of("src/test/java/dev/txkit/testing/ReadmeExampleTest.java"));
    String body = example.substring(example.indexOf("import "));
    assertTrue(readme.contains("```java\n" + body + "```"), "README.md (section Testing your transactions) must show "
        + "ReadmeExampleTest.java verbatim (without its package line); copy it over after changing the test");
  }
}
