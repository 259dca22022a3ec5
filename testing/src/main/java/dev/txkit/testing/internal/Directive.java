package dev.txkit.testing.internal;

import dev.txkit.testing.Failure;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** A fault that fired on a call: what the proxy must do to it. */
public final class Directive {

  /** What to do. */
  public enum Kind {
    /** Throw the exception (emulating what the server does next). */
    FAIL,
    /** Drop the connection, then fail as the driver would. */
    DROP,
    /** Roll back instead of committing, and report success. */
    SILENT_ROLLBACK
  }

  final Kind kind;
  final @Nullable SQLException exception;
  final @Nullable Failure entry;
  final boolean emulate;
  final int batchRows;
  final String description;

  /**
   * @param kind what to do
   * @param exception the exception to throw, for FAIL
   * @param entry the catalogue entry thrown, whose server effect to emulate; null for another payload, judged by
   *     the real database's catalogue
   * @param emulate whether to emulate the server's reaction
   * @param batchRows rows of a batch applied before the failure
   * @param description the fault, for the trace
   */
  public Directive(Kind kind, @Nullable SQLException exception, @Nullable Failure entry, boolean emulate,
      int batchRows, String description) {
    this.kind = kind;
    this.exception = exception;
    this.entry = entry;
    this.emulate = emulate;
    this.batchRows = batchRows;
    this.description = description;
  }
}
