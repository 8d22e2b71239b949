package onebyte.core.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import onebyte.core.input.BadInputException;
import onebyte.core.perturbation.SeedMixer;

/**
 * A classification task from the user's files: the target pool (cut into node shards), the
 * target evaluation set, and the source split a model is pretrained on before fine-tuning.
 *
 * <p>The source is, in this order of precedence: the file {@code sourcePath} (its
 * {@code sourceGroups} when given); the examples of {@code sourceGroups} in the target file
 * (e.g. SpamAssassin's easy-ham-1 + spam-1, with the target the other groups); a seeded,
 * stratified {@code sourceFraction} of the target file held out from the target pool; or none.
 * Then {@code evalFraction} of the target and of the source is held out (stratified, seeded) as
 * their evaluation sets. Classes are numbered over the target and source labels together
 * ({@link ClassLabels}). Tabular features are standardised with the mean and standard deviation
 * of the source training split (of the target pool when there is no source); texts go through
 * the given {@link TextEncoder}.
 */
public record FileTask(ClassLabels classes, InMemoryDataset pool, InMemoryDataset eval, InMemoryDataset source,
                       InMemoryDataset sourceEval, String description) {
    /** What the files are and how to split them. Empty group lists mean every example. */
    public record Spec(boolean text, Path path, DataFormat format, LabelledTextFile.Columns columns, List<String> groups,
                       Path sourcePath, List<String> sourceGroups, double sourceFraction, double evalFraction) {
        public Spec {
            groups = List.copyOf(groups);
            sourceGroups = List.copyOf(sourceGroups);
        }
    }

    private static final long SALT_SOURCE = 0x534F55524345L; // "SOURCE"
    private static final long SALT_EVAL = 0x4556414CL; // "EVAL"

    /** True when the task has a source split to pretrain on. */
    public boolean hasSource() {
        return source != null;
    }

    /** Tabular files ({@code spec.text() == false}); {@code encoder} is not used. */
    public static FileTask load(Spec spec, TextEncoder encoder, long seed) {
        return spec.text() ? text(spec, encoder, seed) : tabular(spec, seed);
    }

    private static FileTask tabular(Spec spec, long seed) {
        CsvDataset target = CsvDataset.read(spec.path(), spec.format(), spec.columns().label());
        CsvDataset sourceFile = spec.sourcePath() == null ? null
                : CsvDataset.read(spec.sourcePath(), DataFormat.infer(spec.sourcePath()), spec.columns().label());
        if (sourceFile != null && !sourceFile.featureNames().equals(target.featureNames())) {
            throw BadInputException.at(spec.sourcePath(), 1, "the source file's features " + sourceFile.featureNames()
                    + " differ from the target file's " + target.featureNames());
        }
        if (!spec.groups().isEmpty() || !spec.sourceGroups().isEmpty()) {
            throw BadInputException.at(spec.path(), 0, "groups are for text data (a group column); tabular files have none");
        }
        List<String> all = new ArrayList<>(target.labels());
        if (sourceFile != null) all.addAll(sourceFile.labels());
        ClassLabels classes = ClassLabels.of(all, spec.path());
        Parts t = parts(classes.indices(target.labels(), spec.path()), sourceFile == null ? spec.sourceFraction() : 0, spec.evalFraction(), seed);
        int[] sTrain = t.sourceTrain;
        int[] sEval = t.sourceEval;
        int[] sClasses = null;
        if (sourceFile != null) {
            sClasses = classes.indices(sourceFile.labels(), spec.sourcePath());
            Holdout h = Holdout.of(sClasses, spec.evalFraction(), SeedMixer.fold(seed, SALT_EVAL + 1));
            sTrain = h.kept();
            sEval = h.held();
        }
        CsvDataset src = sourceFile != null ? sourceFile : target;
        int[] srcClasses = sourceFile != null ? sClasses : t.classes;
        int f = target.featureNames().size();
        float[] stats = sTrain != null && sTrain.length > 0 ? src.features(sTrain) : target.features(t.pool);
        Standardisation z = Standardisation.of(stats, f);
        InMemoryDataset source = sTrain == null ? null : z.dataset(src.features(sTrain), pick(srcClasses, sTrain), classes.size());
        InMemoryDataset sourceEval = sEval == null ? null : z.dataset(src.features(sEval), pick(srcClasses, sEval), classes.size());
        return new FileTask(classes, z.dataset(target.features(t.pool), pick(t.classes, t.pool), classes.size()),
                z.dataset(target.features(t.eval), pick(t.classes, t.eval), classes.size()), source, sourceEval,
                describe(spec, classes, t.pool.length, t.eval.length, sTrain, sEval));
    }

    private static FileTask text(Spec spec, TextEncoder encoder, long seed) {
        LabelledText file = LabelledTextFile.read(spec.path(), spec.format(), spec.columns());
        LabelledText target = file.inGroups(spec.groups());
        LabelledText sourceText = null;
        if (spec.sourcePath() != null) {
            sourceText = LabelledTextFile.read(spec.sourcePath(), DataFormat.infer(spec.sourcePath()), spec.columns())
                    .inGroups(spec.sourceGroups());
        } else if (!spec.sourceGroups().isEmpty()) {
            sourceText = file.inGroups(spec.sourceGroups());
        }
        List<String> all = new ArrayList<>(target.labels());
        if (sourceText != null) all.addAll(sourceText.labels());
        ClassLabels classes = ClassLabels.of(all, spec.path());
        int[] tClasses = classes.indices(target.labels(), spec.path());
        Parts t = parts(tClasses, sourceText == null ? spec.sourceFraction() : 0, spec.evalFraction(), seed);
        LabelledText src = sourceText != null ? sourceText : target;
        int[] srcClasses = sourceText != null ? classes.indices(sourceText.labels(), src.source()) : tClasses;
        int[] sTrain = t.sourceTrain;
        int[] sEval = t.sourceEval;
        if (sourceText != null) {
            Holdout h = Holdout.of(srcClasses, spec.evalFraction(), SeedMixer.fold(seed, SALT_EVAL + 1));
            sTrain = h.kept();
            sEval = h.held();
        }
        return new FileTask(classes,
                encode(encoder, target, tClasses, t.pool, classes), encode(encoder, target, tClasses, t.eval, classes),
                sTrain == null ? null : encode(encoder, src, srcClasses, sTrain, classes),
                sEval == null ? null : encode(encoder, src, srcClasses, sEval, classes),
                describe(spec, classes, t.pool.length, t.eval.length, sTrain, sEval));
    }

    /** Index sets into the target file: the source hold-out (if any) first, then the eval hold-out. */
    private record Parts(int[] classes, int[] pool, int[] eval, int[] sourceTrain, int[] sourceEval) {}

    private static Parts parts(int[] classes, double sourceFraction, double evalFraction, long seed) {
        int[] rest = identity(classes.length);
        int[] sTrain = null;
        int[] sEval = null;
        if (sourceFraction > 0) {
            Holdout s = Holdout.of(classes, sourceFraction, SeedMixer.fold(seed, SALT_SOURCE));
            rest = s.kept();
            Holdout se = Holdout.of(pick(classes, s.held()), evalFraction, SeedMixer.fold(seed, SALT_EVAL + 1));
            sTrain = pick(s.held(), se.kept());
            sEval = pick(s.held(), se.held());
        }
        Holdout e = Holdout.of(pick(classes, rest), evalFraction, SeedMixer.fold(seed, SALT_EVAL));
        return new Parts(classes, pick(rest, e.kept()), pick(rest, e.held()), sTrain, sEval);
    }

    private static InMemoryDataset encode(TextEncoder encoder, LabelledText text, int[] classes, int[] rows, ClassLabels labels) {
        return encoder.encode(text.subset(rows).texts(), pick(classes, rows), labels.size());
    }

    private static String describe(Spec spec, ClassLabels classes, int pool, int eval, int[] sTrain, int[] sEval) {
        String source = sTrain == null ? "no source split"
                : "source " + sTrain.length + " train + " + sEval.length + " eval ("
                + (spec.sourcePath() != null ? spec.sourcePath() : !spec.sourceGroups().isEmpty() ? "groups " + spec.sourceGroups()
                : "a stratified " + spec.sourceFraction() + " of the file") + ")";
        return spec.path() + (spec.groups().isEmpty() ? "" : " groups " + spec.groups()) + ": target pool " + pool + ", target eval "
                + eval + ", " + source + "; classes " + classes.describe();
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    static int[] pick(int[] values, int[] at) {
        int[] out = new int[at.length];
        for (int i = 0; i < at.length; i++) out[i] = values[at[i]];
        return out;
    }
}
