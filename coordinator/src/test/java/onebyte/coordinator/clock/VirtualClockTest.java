package onebyte.coordinator.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualClockTest {
    @Test
    void aRoundLastsAsLongAsItsSlowestParticipantPlusTheCoordinator() {
        VirtualClock clock = new VirtualClock(new VirtualClock.WorkCosts(0.002, 0.005, 1e-8));
        // SPSA-like: 2 forward passes, 4 directions of 1e6 regenerated, 9 bytes up, 40 down, 10 Mbit/s, 10 ms
        var fast = new VirtualClock.ParticipantWork(2, 0, 4_000_000, 9, 40, 10, 10, 10);
        // FedAvg-like over a slow uplink: 10 gradient steps, 4 MB up and down at 1 Mbit/s up, 100 down, 50 ms
        var slow = new VirtualClock.ParticipantWork(0, 10, 0, 4_000_000, 4_000_000, 1, 100, 50);
        double spsa = 2 * 0.002 + 0.04 + 9 * 8 / 1e7 + 40 * 8 / 1e7 + 0.010;
        double fed = 10 * 0.005 + 32.0 + 0.32 + 0.050;
        assertEquals(spsa, clock.participantSeconds(fast), 1e-12);
        assertEquals(fed, clock.participantSeconds(slow), 1e-12);
        assertEquals(fed + 0.1, clock.advance(List.of(fast, slow), 0.1, 5), 1e-12);
        assertEquals(spsa, clock.advance(List.of(fast), 0, 5), 1e-12);
        assertEquals(fed + 0.1 + spsa, clock.now(), 1e-12);
        clock.advance(List.of(), 0, 5);
        assertEquals(fed + 0.1 + spsa + 5, clock.now(), 1e-12);
    }
}
