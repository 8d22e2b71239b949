package onebyte.coordinator.scenario;

/** A scenario that cannot run, with where (file:line), which key, and what was expected. */
public final class ScenarioException extends onebyte.core.input.BadInputException {
    private final String where;
    private final String key;

    public ScenarioException(String where, String key, String problem) {
        super(where + ": " + key + ": " + problem);
        this.where = where;
        this.key = key;
    }

    /** "file:line" (or "command line" for an override). */
    public String where() {
        return where;
    }

    public String key() {
        return key;
    }
}
