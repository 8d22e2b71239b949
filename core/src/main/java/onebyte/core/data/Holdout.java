package onebyte.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded, stratified hold-out: from each class, {@code round(fraction · n_c)} of its examples
 * (chosen by a {@link SplittableRandom} shuffle seeded with the seed) are held out; both parts
 * keep the examples' original order. Same classes, fraction and seed → the same split everywhere.
 */
public record Holdout(int[] held, int[] kept) {
    public static Holdout of(int[] classes, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) throw new IllegalArgumentException("hold-out fraction must be in [0, 1), got " + fraction);
        int numClasses = Arrays.stream(classes).max().orElse(-1) + 1;
        boolean[] isHeld = new boolean[classes.length];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int c = 0; c < numClasses; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < classes.length; i++) if (classes[i] == c) members.add(i);
            int take = (int) Math.round(fraction * members.size());
            for (int k = 0; k < take; k++) { // partial Fisher–Yates: the first `take` of a shuffle
                int j = k + rnd.nextInt(members.size() - k);
                Integer t = members.get(k);
                members.set(k, members.get(j));
                members.set(j, t);
                isHeld[members.get(k)] = true;
            }
        }
        int nHeld = 0;
        for (boolean b : isHeld) if (b) nHeld++;
        int[] held = new int[nHeld];
        int[] kept = new int[classes.length - nHeld];
        for (int i = 0, h = 0, k = 0; i < classes.length; i++) {
            if (isHeld[i]) held[h++] = i;
            else kept[k++] = i;
        }
        return new Holdout(held, kept);
    }
}
