package dev.txkit.testing;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * The invocations of a {@link SweepTest}: prepares each sweep (its clean run) when the template starts, then one
 * invocation per point and kind. Registered by {@code @SweepTest}; not used directly.
 */
public final class SweepTestExtension implements TestTemplateInvocationContextProvider {

  private static final int SQL_IN_NAME = 60;

  /** Creates the extension (JUnit does). */
  public SweepTestExtension() {
  }

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context.getTestMethod().map(m -> m.isAnnotationPresent(SweepTest.class)).orElse(false);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
    Method template = context.getRequiredTestMethod();
    SweepTest annotation = template.getAnnotation(SweepTest.class);
    List<Sweep> sweeps = sweeps(context.getRequiredTestClass(), annotation.value());
    Runs runs = new Runs();
    context.getStore(ExtensionContext.Namespace.create(SweepTestExtension.class, context.getUniqueId()))
        .put("runs", runs);
    return sweeps.stream().flatMap(s -> {
      SweepRun r = new SweepRun(s);
      runs.add(r);
      if (!r.prepare()) {
        return Stream.of(new Invocation(r, null));
      }
      return r.plans().stream().map(p -> new Invocation(r, p));
    });
  }

  private static List<Sweep> sweeps(Class<?> testClass, String name) {
    Method factory;
    try {
      factory = findMethod(testClass, name);
    } catch (NoSuchMethodException e) {
      throw new ExtensionConfigurationException("@SweepTest(\"" + name + "\"): " + testClass.getName()
          + " has no method " + name + "() without parameters; add a static one that returns the sweeps", e);
    }
    if (!Modifier.isStatic(factory.getModifiers())) {
      throw new ExtensionConfigurationException("@SweepTest(\"" + name + "\"): " + name + "() must be static");
    }
    Object result;
    try {
      factory.setAccessible(true);
      result = factory.invoke(null);
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ExtensionConfigurationException("@SweepTest(\"" + name + "\"): " + name + "() failed: " + cause,
          cause);
    }
    List<Sweep> out = new ArrayList<>();
    if (result instanceof Sweep) {
      out.add((Sweep) result);
    } else if (result instanceof Collection) {
      addAll(out, ((Collection<?>) result).toArray(), name);
    } else if (result instanceof Stream) {
      addAll(out, ((Stream<?>) result).toArray(), name);
    } else if (result instanceof Sweep[]) {
      out.addAll(Arrays.asList((Sweep[]) result));
    } else {
      throw new ExtensionConfigurationException("@SweepTest(\"" + name + "\"): " + name + "() must return a Sweep, "
          + "or a Collection, Stream or array of them; it returned " + result);
    }
    if (out.isEmpty()) {
      throw new ExtensionConfigurationException("@SweepTest(\"" + name + "\"): " + name + "() returned no sweep");
    }
    return out;
  }

  private static void addAll(List<Sweep> out, Object[] items, String name) {
    for (Object o : items) {
      if (!(o instanceof Sweep)) {
        throw new ExtensionConfigurationException("@SweepTest(\"" + name + "\"): " + name + "() returned " + o
            + ", not a Sweep");
      }
      out.add((Sweep) o);
    }
  }

  private static Method findMethod(Class<?> c, String name) throws NoSuchMethodException {
    for (Class<?> k = c; k != null; k = k.getSuperclass()) {
      try {
        return k.getDeclaredMethod(name);
      } catch (NoSuchMethodException e) {
        // look in the superclass
      }
    }
    throw new NoSuchMethodException(name);
  }

  /** The sweeps of one template: closed (tables restored, tables printed) when the template ends. */
  private static final class Runs implements AutoCloseable {
    private final List<SweepRun> runs = new ArrayList<>();

    synchronized void add(SweepRun r) {
      runs.add(r);
    }

    @Override
    public synchronized void close() {
      for (SweepRun r : runs) {
        try {
          System.out.println(r.report().table());
        } finally {
          r.close();
        }
      }
    }
  }

  /** One run of a sweep (or, when the clean run was wrong, its report). */
  private static final class Invocation implements TestTemplateInvocationContext {
    private final SweepRun run;
    private final SweepRun.@Nullable Plan plan;

    Invocation(SweepRun run, SweepRun.@Nullable Plan plan) {
      this.run = run;
      this.plan = plan;
    }

    @Override
    public String getDisplayName(int invocationIndex) {
      SweepRun.Plan p = plan;
      if (p == null) {
        return "[" + run.title() + "] the clean run";
      }
      String name = p.displayName();
      String sql = p.site.call.sql();
      if (sql != null && sql.length() > SQL_IN_NAME) {
        name = name.replace(sql, sql.substring(0, SQL_IN_NAME - 3) + "...");
      }
      return "[" + run.title() + "] " + name;
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(new CaseExtension(run, plan));
    }
  }

  /** Runs the invocation's case once, hands it to the test method, and fails the invocation if it was wrong. */
  private static final class CaseExtension implements ParameterResolver, BeforeTestExecutionCallback,
      AfterTestExecutionCallback {
    private final SweepRun run;
    private final SweepRun.@Nullable Plan plan;
    private @Nullable SweepCase result;

    CaseExtension(SweepRun run, SweepRun.@Nullable Plan plan) {
      this.run = run;
      this.plan = plan;
    }

    private SweepCase result() {
      SweepCase r = result;
      if (r == null) {
        SweepRun.Plan p = plan;
        if (p == null) {
          throw new AssertionError("The clean run of sweep '" + run.title() + "' was wrong, so no failure point was "
              + "tried:\n" + run.report());
        }
        r = run.run(p);
        result = r;
      }
      return r;
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
      result();
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
      return pc.getParameter().getType() == SweepCase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
      return result();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
      if (context.getExecutionException().isPresent()) {
        return;
      }
      SweepCase c = result();
      if (c.isWrong()) {
        throw new AssertionError(c.details());
      }
      if (c.verdict() == SweepCase.Verdict.NOT_REACHED) {
        throw new AssertionError(c.reason() + "\n" + c.details());
      }
    }
  }
}
