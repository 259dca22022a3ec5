package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README section shows exactly the code that the tests run: {@link ReadmeExampleTest} as a whole, and the
 * regions of {@link ReadmeToolsTest} between {@code // readme:name} and {@code // end:name}.
 */
class ReadmeSectionTest {

  private static final Pattern REGION = Pattern.compile("\\n( *)// readme:([a-z-]+)\\n(.*?)\\n *// end:\\2\\n",
      Pattern.DOTALL);

  @Test
  void readmeShowsTheTestedExample() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    String example = Files.readString(Path.of("src/test/java/dev/txkit/testing/ReadmeExampleTest.java"));
    String body = example.substring(example.indexOf("import "));
    assertTrue(readme.contains("```java\n" + body + "```"), "README.md (section Testing your transactions) must show "
        + "ReadmeExampleTest.java verbatim (without its package line); copy it over after changing the test");
  }

  @Test
  void readmeShowsTheTestedSnippets() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    String tools = Files.readString(Path.of("src/test/java/dev/txkit/testing/ReadmeToolsTest.java"));
    Matcher m = REGION.matcher(tools);
    List<String> names = new ArrayList<>();
    while (m.find()) {
      names.add(m.group(2));
      String indent = m.group(1);
      StringBuilder snippet = new StringBuilder();
      for (String line : m.group(3).split("\n", -1)) {
        snippet.append(line.startsWith(indent) ? line.substring(indent.length()) : line.strip()).append('\n');
      }
      assertTrue(readme.contains("```java\n" + snippet + "```"), "README.md must show the region '" + m.group(2)
          + "' of ReadmeToolsTest.java verbatim (without its indentation); copy it over after changing the test:\n"
          + snippet);
    }
    assertEquals(List.of("sweep", "workload", "lock-order"), names, "the regions of ReadmeToolsTest.java");
  }
}
