package onebyte.core.model.transformer;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Row-major matrix products on {@link DenseBuffer}s through OpenBLAS (sgemm for float32, dgemm for
 * float64): {@code C = alpha·op(A)·op(B) + beta·C} with C [m, n], op(A) [m, k], op(B) [k, n], each
 * operand given as (buffer, first element, leading dimension), so a column block of a row-major
 * matrix (a head's columns of Q, rows r0.. of a weight tensor) is an operand as it lies.
 */
final class Blas {
    private Blas() {}

    static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                     DenseBuffer a, int aFrom, int lda, DenseBuffer b, int bFrom, int ldb,
                     double beta, DenseBuffer c, int cFrom, int ldc) {
        if (m == 0 || n == 0) return;
        int ta = transA ? CblasTrans : CblasNoTrans;
        int tb = transB ? CblasTrans : CblasNoTrans;
        if (c.isDouble()) {
            if (!a.isDouble() || !b.isDouble()) throw new IllegalArgumentException("mixed precision");
            cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, (DoublePointer) a.at(aFrom), lda, (DoublePointer) b.at(bFrom), ldb,
                    beta, (DoublePointer) c.at(cFrom), ldc);
        } else {
            if (a.isDouble() || b.isDouble()) throw new IllegalArgumentException("mixed precision");
            cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, (float) alpha, (FloatPointer) a.at(aFrom), lda, (FloatPointer) b.at(bFrom),
                    ldb, (float) beta, (FloatPointer) c.at(cFrom), ldc);
        }
    }
}
