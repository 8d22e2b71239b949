package onebyte.core.perturbation;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one task per chunk on up to {@code threads} threads: the calling thread plus helpers from a
 * shared pool of daemon threads. Chunks are claimed dynamically, so which thread handles which
 * chunk varies from run to run; callers must make every chunk's result independent of that
 * (every chunk task here only reads its inputs and writes its own disjoint slice).
 *
 * <p>Helper threads charge their CPU time to the submitting thread ({@link HelperCpuTime}).
 */
public final class Parallel {
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "onebyte-spsa-" + THREAD_IDS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /** Work on one chunk; {@code worker} in [0, threads) identifies the thread's private buffers. */
    public interface ChunkTask {
        void run(int worker, int chunk);
    }

    private Parallel() {}

    /** The default thread count: the number of available processors. */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** Number of workers {@link #run} will use for this many chunks. */
    public static int workers(int chunks, int threads) {
        return Math.max(1, Math.min(threads, chunks));
    }

    /**
     * Runs {@code task} once for every chunk in [0, chunks). Returns when every chunk is done
     * (also when the caller is interrupted: the interrupt flag is restored afterwards). The first
     * exception thrown by a task is rethrown after every worker has stopped.
     */
    public static void run(int chunks, int threads, ChunkTask task) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        int workers = workers(chunks, threads);
        if (workers == 1) {
            for (int c = 0; c < chunks; c++) {
                task.run(0, c);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Future<?>[] helpers = new Future<?>[workers - 1];
        for (int w = 1; w < workers; w++) {
            final int worker = w;
            helpers[w - 1] = submit(() -> loop(worker, chunks, next, task));
        }
        Throwable failure = null;
        try {
            loop(0, chunks, next, task);
        } catch (Throwable t) {
            failure = t;
        }
        boolean interrupted = false;
        for (Future<?> f : helpers) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: helpers are still writing into the caller's arrays
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * Runs {@code task} on a pooled helper thread, its CPU time charged to the calling thread
     * ({@link HelperCpuTime}); the charge is complete when the returned future is done.
     */
    public static Future<?> submit(Runnable task) {
        return POOL.submit(HelperCpuTime.charging(HelperCpuTime.accountOfCurrentThread(), task));
    }

    private static void loop(int worker, int chunks, AtomicInteger next, ChunkTask task) {
        int c;
        while ((c = next.getAndIncrement()) < chunks) {
            try {
                task.run(worker, c);
            } catch (Throwable t) {
                next.set(chunks); // stop the other workers early
                throw t;
            }
        }
    }
}
