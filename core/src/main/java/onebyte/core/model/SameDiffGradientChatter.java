package onebyte.core.model;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * ND4J 1.0.0-M2.1's {@code SameDiff.createGradFunction} writes one line per differentiated op
 * ("Added differentiated op ...") with {@code System.out.println}, not through its logger, so a
 * transformer run would print hundreds of such lines into the progress output. This runs an
 * action that builds a gradient graph with {@code System.out} temporarily replaced by a stream
 * that drops exactly those lines and passes everything else through to the original stream
 * (other threads that print meanwhile lose nothing).
 */
final class SameDiffGradientChatter {
    static final String PREFIX = "Added differentiated op ";
    private static final Object LOCK = new Object();

    private SameDiffGradientChatter() {}

    static <T> T suppressedDuring(Supplier<T> action) {
        synchronized (LOCK) {
            PrintStream original = System.out;
            System.setOut(new Filter(original));
            try {
                return action.get();
            } finally {
                System.setOut(original);
            }
        }
    }

    private static final class Filter extends PrintStream {
        private final PrintStream target;

        Filter(PrintStream target) {
            super(target, true);
            this.target = target;
        }

        @Override
        public void println(String x) {
            if (x == null || !x.startsWith(PREFIX)) {
                target.println(x);
            }
        }
    }
}
