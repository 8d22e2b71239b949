package onebyte.core.fed;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import onebyte.core.tensor.ParameterVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server step of FedSpeed (SPEC §4) in one of its two forms; FedAvg uses {@link Form#PAPER}.
 *
 * <ul>
 *   <li>{@link Form#PAPER}: x^{t+1} = mean over the clients P that returned of x̂_i (the FedSpeed paper,
 *       Algorithm 1). A client's dual reaches the server only in the rounds the client takes part in.
 *   <li>{@link Form#SIMULATOR}: FL-Simulator's FedDyn-style server, x^{t+1} = mean_P(x_K,i) + mean_M(h_i),
 *       with h_i = −λ·ĝ_i the dual of every member i of the round's member set M, those that sat the
 *       round out included (a member that never took part has h_i = 0).
 * </ul>
 *
 * <p>The simulator form needs no more from a client than x̂_i: since ĝ_i' = ĝ_i − (1/λ)(x_K − x^t) and
 * x̂_i = x_K − λ·ĝ_i', the server keeps its own h_i per client id and updates it from what arrives,
 * h_i' = (x̂_i − x^t + h_i)/2; then x_K,i = x̂_i − h_i'. So x^{t+1} = mean_P(x̂_i) − mean_P(h_i') +
 * mean_M(h_i): with every member returning, exactly the paper form. A client's h_i is dropped when it
 * is no longer a member (a client that leaves loses its ĝ_i, SPEC §4); a client whose x̂_i did not
 * arrive (deadline) has moved its ĝ_i without the server's copy following: the next x̂_i it returns
 * halves that difference every round (h_i' above averages the two copies).
 *
 * <p>Arithmetic is float32 ND4J and {@link ServerMean#mean} in client-id order, so the same inputs give
 * the same bits. The simulator form keeps d floats per member on the server.
 */
public final class FedSpeedServer {
    private static final Logger LOG = LoggerFactory.getLogger(FedSpeedTrace.class);

    /** The two server forms; the scenario key {@code fedspeed.server} names them {@code paper | simulator}. */
    public enum Form {
        PAPER, SIMULATOR;

        /** The form a scenario value names, or null. */
        public static Form parse(String s) {
            return switch (s) {
                case "paper" -> PAPER;
                case "simulator" -> SIMULATOR;
                default -> null;
            };
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Form form;
    private final TreeMap<Integer, ParameterVector> duals = new TreeMap<>(); // h_i = −λ·ĝ_i, simulator form

    public FedSpeedServer(Form form) {
        this.form = form;
    }

    public Form form() {
        return form;
    }

    /**
     * x^{t+1} from x^t, the x̂_i that returned (by client id) and the ids of the round's members
     * (the returned ones among them). Nobody returned: x^t (the same object).
     */
    public ParameterVector next(long round, ParameterVector xt, SortedMap<Integer, ParameterVector> returned, Set<Integer> members) {
        if (returned.isEmpty()) {
            duals.keySet().retainAll(members);
            return xt;
        }
        ParameterVector mean = ServerMean.mean(new ArrayList<>(returned.values()));
        if (form == Form.PAPER) {
            trace(round, xt, mean, returned.size(), members.size(), Double.NaN);
            return mean;
        }
        for (int id : returned.keySet()) {
            if (!members.contains(id)) throw new IllegalArgumentException("client " + id + " returned but is not a member");
        }
        List<ParameterVector> returnedDuals = new ArrayList<>();
        for (Map.Entry<Integer, ParameterVector> e : returned.entrySet()) {
            ParameterVector h = e.getValue().copy();
            h.array().subi(xt.array());
            ParameterVector old = duals.get(e.getKey());
            if (old != null) h.array().addi(old.array());
            h.array().muli(0.5);
            duals.put(e.getKey(), h);
            returnedDuals.add(h);
        }
        duals.keySet().retainAll(members);
        // mean over all members of h_i, the members without one (never returned) counting as 0
        ParameterVector all = ServerMean.mean(new ArrayList<>(duals.values()));
        all.array().muli((double) duals.size() / members.size());
        ParameterVector next = mean.copy();
        next.array().subi(ServerMean.mean(returnedDuals).array()).addi(all.array());
        trace(round, xt, next, returned.size(), members.size(), all.array().norm2Number().doubleValue());
        return next;
    }

    /** The server's copy of client {@code id}'s h_i = −λ·ĝ_i (simulator form; zeros when it has none). */
    public ParameterVector dualOf(int id, int d) {
        ParameterVector h = duals.get(id);
        return h == null ? new ParameterVector(d) : h.copy();
    }

    /** Sets the server's h_i of client {@code id} to a copy of {@code h} (a resumed run: the {@link #dualOf} it had then). */
    public void restoreDual(int id, ParameterVector h) {
        duals.put(id, h.copy());
    }

    /** Client ids whose h_i the server keeps (simulator form). */
    public Set<Integer> clientsWithDuals() {
        return Set.copyOf(duals.keySet());
    }

    private void trace(long round, ParameterVector xt, ParameterVector next, int returned, int members, double meanDual) {
        if (LOG.isDebugEnabled()) {
            LOG.debug(String.format(Locale.ROOT, "fedspeed server round %d (%s, %d of %d members): |x^{t+1}−x^t|=%.4g |mean_M h|=%.4g",
                    round, form.key(), returned, members, next.array().distance2(xt.array()), meanDual));
        }
    }
}
