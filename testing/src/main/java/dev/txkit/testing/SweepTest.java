package dev.txkit.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test template that runs a {@link Sweep}, one invocation per failure point and kind, so that an IDE
 * shows each run as its own test. Each invocation fails when its run is wrong (with the reason, the trace and the
 * {@code Fault} code that replays it) or when its fault never fired; the test method may take the
 * {@link SweepCase} to check more. The clean run happens when the template starts; when the template ends the
 * tables are restored and each sweep's table of points x kinds is printed.
 *
 * <pre>{@code
 * static Stream<Sweep> transfers() {
 *   return Stream.of(Sweep.builder(h2).tables("accounts").unit(txs -> transfer(txs)));
 * }
 *
 * @SweepTest("transfers")
 * void transfer(SweepCase run) {
 *   // the invocation already fails if the run is wrong; check more here if needed
 * }
 * }</pre>
 *
 * <p>Invocations of one template run one after the other; do not run them in parallel.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(SweepTestExtension.class)
public @interface SweepTest {

  /**
   * The sweeps to run: the name of a static method of the test class, without parameters, that returns a
   * {@link Sweep}, or a {@code Collection}, {@code Stream} or array of them (e.g. one per database).
   *
   * @return the method's name
   */
  String value();
}
