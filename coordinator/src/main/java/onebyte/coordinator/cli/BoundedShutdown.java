package onebyte.coordinator.cli;

import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a multi-process member's ActorSystem, with a bound on how long the process waits for
 * it. Akka 2.8.6's Artery TCP never closes an inbound connection whose peer sent the start of a
 * frame and then closed its side (the connection stays in CLOSE-WAIT), and an ActorSystem holding
 * such a connection does not finish terminating: its coordinated shutdown times out and the
 * process would wait forever, so a stranger who throws half a frame at a member's port could keep
 * that member's process (or container) from ever exiting. The run's results do not depend on it
 * (they are written before), so after {@link #GRACE} the command logs one warning and exits with
 * the run's exit code. With TLS such a connection fails its handshake and is closed.
 */
final class BoundedShutdown {
    /** How long a member waits for its ActorSystem to terminate once it was asked to. */
    static final Duration GRACE = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(BoundedShutdown.class);

    private BoundedShutdown() {}

    /** Terminates {@code system} and waits at most {@link #GRACE} for it; true when it terminated. */
    static boolean terminate(ActorSystem<?> system) {
        system.terminate();
        return await(system, GRACE);
    }

    /**
     * Waits for {@code system} to terminate, however long it runs, but at most {@link #GRACE} once
     * its coordinated shutdown has reached its last phase (the run is over, it left or was downed).
     */
    static void awaitEnd(ActorSystem<?> system) {
        CompletableFuture<Void> stopping = new CompletableFuture<>();
        akka.actor.CoordinatedShutdown.get(system).addTask(akka.actor.CoordinatedShutdown.PhaseActorSystemTerminate(),
                "onebyte-bounded-shutdown", () -> {
                    stopping.complete(null);
                    return CompletableFuture.completedFuture(akka.Done.done());
                });
        CompletableFuture.anyOf(system.getWhenTerminated().toCompletableFuture(), stopping).join();
        await(system, GRACE);
    }

    /** Waits at most {@code grace} for {@code system} to terminate (without asking it to); true when it did. */
    static boolean await(ActorSystem<?> system, Duration grace) {
        CompletableFuture<?> terminated = system.getWhenTerminated().toCompletableFuture();
        try {
            terminated.get(grace.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            LOG.warn("the actor system at {} did not stop within {} s (an inbound connection that sent part of a frame and "
                    + "was closed by its peer keeps Akka 2.8.6 from stopping); exiting anyway, the run's results are written",
                    system.address(), grace.toSeconds());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true; // it terminated, with a failure Akka has logged
        }
    }
}
