package onebyte.coordinator.metrics;

/**
 * One row of SPEC §6: one round of one algorithm. Columns are written in this order by every
 * sink. {@code evalLoss} and {@code evalAccuracy} are NaN on rounds without evaluation (written
 * as empty cells in CSV and null in JSONL). {@code replicasAgree} is null where the algorithm
 * keeps no replicas to compare (federated rounds).
 */
public record MetricsRow(
        String runId,
        String algorithm,
        long round,
        double virtualTimeS,
        double wallTimeS,
        int members,
        int planned,
        int contributed,
        int joined,
        int left,
        int crashed,
        double trainLoss,
        double evalLoss,
        double evalAccuracy,
        long bytesUp,
        long bytesDown,
        long bytesCum,
        long forwardPassesCum,
        Boolean replicasAgree,
        double lr,
        long seed) {

    /** Column names, in order, as they appear in metrics.csv and as JSONL keys. */
    public static final String[] COLUMNS = {
        "run_id", "algorithm", "round", "virtual_time_s", "wall_time_s", "members", "planned",
        "contributed", "joined", "left", "crashed", "train_loss", "eval_loss", "eval_accuracy",
        "bytes_up", "bytes_down", "bytes_cum", "forward_passes_cum", "replicas_agree", "lr", "seed"
    };

    /** This row without what differs between two runs of one scenario: run_id ("") and wall_time_s (0). */
    public MetricsRow repeatable() {
        return new MetricsRow("", algorithm, round, virtualTimeS, 0, members, planned, contributed, joined, left, crashed,
                trainLoss, evalLoss, evalAccuracy, bytesUp, bytesDown, bytesCum, forwardPassesCum, replicasAgree, lr, seed);
    }
}
