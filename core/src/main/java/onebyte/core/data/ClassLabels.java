package onebyte.core.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import onebyte.core.input.BadInputException;

/**
 * The label → class mapping of a data set whose labels are text. When every label is a
 * non-negative integer, the label is the class ({@code 2 → 2}; classes 0..max, so a model
 * trained elsewhere keeps its class numbers); otherwise class c is the c-th distinct label in
 * string order ({@code ham → 0, spam → 1}). Built over every file of a run (target and source),
 * so the same label is the same class everywhere.
 */
public record ClassLabels(List<String> names) {
    public ClassLabels {
        names = List.copyOf(names);
    }

    /** The mapping of these labels; fewer than two distinct labels fail naming {@code where}. */
    public static ClassLabels of(Collection<String> labels, Object where) {
        TreeSet<String> distinct = new TreeSet<>(labels);
        if (distinct.size() < 2) {
            throw BadInputException.at(where, 0, "a classifier needs at least two classes, the labels are only "
                    + distinct + " (is the label column right?)");
        }
        if (distinct.stream().allMatch(l -> l.matches("\\d{1,9}"))) {
            int max = distinct.stream().mapToInt(Integer::parseInt).max().orElseThrow();
            return new ClassLabels(IntStream.rangeClosed(0, max).mapToObj(Integer::toString).toList());
        }
        return new ClassLabels(new ArrayList<>(distinct));
    }

    public int size() {
        return names.size();
    }

    /** Class index of {@code label}; -1 when the label is not one of the classes. */
    public int index(String label) {
        return names.indexOf(label);
    }

    /** The class index of every label, in order. */
    public int[] indices(List<String> labels, Object where) {
        Map<String, Integer> byName = IntStream.range(0, names.size()).boxed()
                .collect(Collectors.toMap(names::get, i -> i));
        int[] out = new int[labels.size()];
        for (int i = 0; i < out.length; i++) {
            Integer c = byName.get(labels.get(i));
            if (c == null) throw BadInputException.at(where, 0, "label '" + labels.get(i) + "' is not one of " + names);
            out[i] = c;
        }
        return out;
    }

    /** "ham → 0, spam → 1" (what a run logs and writes into its summary). */
    public String describe() {
        return IntStream.range(0, names.size()).mapToObj(c -> names.get(c) + " → " + c).collect(Collectors.joining(", "));
    }
}
