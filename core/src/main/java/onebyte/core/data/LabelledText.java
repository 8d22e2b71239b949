package onebyte.core.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Labelled text examples as read from a file: example i is {@code texts.get(i)} with label text
 * {@code labels.get(i)} and group {@code groups.get(i)} ("" when the file has no group; the
 * SpamAssassin corpus names its five collections, so a run can take its source from some and
 * its target from others). {@code source} names where the examples came from, for messages.
 */
public record LabelledText(String source, List<String> texts, List<String> labels, List<String> groups) {
    public LabelledText {
        if (texts.size() != labels.size() || texts.size() != groups.size()) {
            throw new IllegalArgumentException("texts, labels and groups differ in length");
        }
        texts = List.copyOf(texts);
        labels = List.copyOf(labels);
        groups = List.copyOf(groups);
    }

    public int size() {
        return texts.size();
    }

    /** The examples whose group is one of {@code keep} (all of them when {@code keep} is empty). */
    public LabelledText inGroups(Collection<String> keep) {
        if (keep.isEmpty()) return this;
        Set<String> wanted = Set.copyOf(keep);
        Set<String> present = Set.copyOf(groups);
        for (String g : wanted) {
            if (!present.contains(g)) {
                throw onebyte.core.input.BadInputException.at(source, 0, "no example of group '" + g + "'; the groups are "
                        + new java.util.TreeSet<>(present));
            }
        }
        List<String> t = new ArrayList<>();
        List<String> l = new ArrayList<>();
        List<String> g = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            if (wanted.contains(groups.get(i))) {
                t.add(texts.get(i));
                l.add(labels.get(i));
                g.add(groups.get(i));
            }
        }
        return new LabelledText(source + " groups " + keep, t, l, g);
    }

    /** The examples at these indices, in this order. */
    public LabelledText subset(int[] indices) {
        List<String> t = new ArrayList<>(indices.length);
        List<String> l = new ArrayList<>(indices.length);
        List<String> g = new ArrayList<>(indices.length);
        for (int i : indices) {
            t.add(texts.get(i));
            l.add(labels.get(i));
            g.add(groups.get(i));
        }
        return new LabelledText(source, t, l, g);
    }
}
