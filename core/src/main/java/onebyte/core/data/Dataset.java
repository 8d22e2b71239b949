package onebyte.core.data;

/** A finite, indexable set of examples held in memory (a node's shard, an eval set, ...). */
public interface Dataset {
    /** Number of examples. */
    int size();

    /** The examples at these indices, in this order, as one batch. */
    Batch batch(int[] indices);
}
