package onebyte.core.input;

/**
 * Input the user gave that cannot be used: a data file, a checkpoint, a scenario. The message is
 * one line that names the file (and line, where there is one) and what was expected, e.g.
 * {@code data/x.csv:7: expected 5 columns, got 4}. The CLI prints it and exits with code 2, never
 * with a stack trace; anything else that escapes is a bug.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    /** {@code file:line: problem} ({@code file: problem} when line < 1). */
    public static BadInputException at(Object file, int line, String problem) {
        return new BadInputException(file + (line >= 1 ? ":" + line : "") + ": " + problem);
    }
}
