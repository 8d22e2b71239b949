import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Image build step: loads the ND4J CPU backend once so that JavaCPP unpacks its native
 * libraries (libnd4jcpu, OpenBLAS, ~400 MB) into the runtime user's ~/.javacpp/cache inside
 * the image. Containers then start without unpacking anything. Compiled against the shaded
 * jar in the build stage and run as the runtime user in the runtime stage (docker/Dockerfile).
 */
public final class NativeWarmup {
    public static void main(String[] args) {
        INDArray a = Nd4j.linspace(1, 16, 16, DataType.FLOAT).reshape(4, 4);
        INDArray square = a.mmul(a); // runs through the native BLAS
        double trace = 0;
        for (int i = 0; i < 4; i++) {
            trace += square.getDouble(i, i);
        }
        // trace(A·A) for A = [[1..4],[5..8],[9..12],[13..16]] is 1316: a broken backend fails the build.
        if (Math.abs(trace - 1316.0) > 1e-3) {
            throw new IllegalStateException("ND4J warm-up computed " + trace + ", expected 1316");
        }
        System.out.println("ND4J " + Nd4j.getBackend().getClass().getSimpleName()
                + " ready; natives cached in " + System.getProperty("user.home") + "/.javacpp/cache");
    }
}
