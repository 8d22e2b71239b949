package onebyte.node.engine;

/** Instantiates a named class with a public no-argument constructor. */
final class Plugins {
    private Plugins() {}

    static <T> T instantiate(String className, Class<T> type) {
        try {
            Class<?> c = Class.forName(className);
            if (!type.isAssignableFrom(c)) {
                throw new IllegalArgumentException(className + " is not a " + type.getSimpleName());
            }
            return type.cast(c.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot create " + type.getSimpleName() + " '" + className + "': " + e, e);
        }
    }
}
