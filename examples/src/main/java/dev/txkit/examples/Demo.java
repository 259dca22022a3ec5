package dev.txkit.examples;

/** Placeholder demo; replaced by the examples work. */
public final class Demo {
  private Demo() {
  }

  /** @param args unused */
  public static void main(String[] args) {
    System.out.println("txkit demo");
  }
}
