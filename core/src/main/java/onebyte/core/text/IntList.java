package onebyte.core.text;

import java.util.Arrays;

/** A growable list of ints (token ids), without boxing. */
public final class IntList {
    private int[] values = new int[16];
    private int size;

    public void add(int v) {
        if (size == values.length) values = Arrays.copyOf(values, 2 * size);
        values[size++] = v;
    }

    public int size() {
        return size;
    }

    public int get(int i) {
        if (i >= size) throw new IndexOutOfBoundsException(i + " of " + size);
        return values[i];
    }

    /** Drops every element from index {@code size} on. */
    public void truncate(int size) {
        if (size < 0 || size > this.size) throw new IndexOutOfBoundsException(size + " of " + this.size);
        this.size = size;
    }

    public int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
