package dev.udpecho.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The public API of a module, read by reflection from its compiled classes: every type a caller outside
 * udpecho can name, and every type its public and protected members mention.
 */
public final class PublicApi {
    private PublicApi() {
    }

    /**
     * @param anyClassOfTheModule a class whose class-path root holds the module's main classes.
     * @param prefix              a package prefix, e.g. {@code io.netty.}.
     * @return {@code Type.member: mentioned type} for each place where the public API mentions a type under
     *     {@code prefix}.
     */
    public static List<String> mentions(Class<?> anyClassOfTheModule, String prefix) {
        List<String> found = new ArrayList<>();
        for (Class<?> c : classes(anyClassOfTheModule)) {
            if (!isVisible(c)) {
                continue;
            }
            check(found, prefix, c.getName() + " extends", c.getGenericSuperclass());
            for (Type t : c.getGenericInterfaces()) {
                check(found, prefix, c.getName() + " implements", t);
            }
            for (Field f : c.getDeclaredFields()) {
                if (isVisible(f.getModifiers())) {
                    check(found, prefix, c.getName() + "." + f.getName(), f.getGenericType());
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (isVisible(m.getModifiers()) && !m.isSynthetic()) {
                    check(found, prefix, c.getName() + "." + m.getName() + "()", m.getGenericReturnType());
                    executable(found, prefix, c.getName() + "." + m.getName() + "()", m);
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (isVisible(k.getModifiers()) && !k.isSynthetic()) {
                    executable(found, prefix, c.getName() + ".<init>", k);
                }
            }
        }
        return found;
    }

    /** @return the number of public types found, to show that the scan saw something. */
    public static long visibleTypes(Class<?> anyClassOfTheModule) {
        return classes(anyClassOfTheModule).stream().filter(PublicApi::isVisible).count();
    }

    private static void executable(List<String> found, String prefix, String where, Executable e) {
        for (Type t : e.getGenericParameterTypes()) {
            check(found, prefix, where, t);
        }
        for (Type t : e.getGenericExceptionTypes()) {
            check(found, prefix, where, t);
        }
    }

    private static void check(List<String> found, String prefix, String where, Type type) {
        if (type == null) {
            return;
        }
        if (type instanceof Class<?>) {
            Class<?> c = (Class<?>) type;
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (c.getName().startsWith(prefix)) {
                found.add(where + ": " + c.getName());
            }
        } else if (type instanceof ParameterizedType) {
            ParameterizedType p = (ParameterizedType) type;
            check(found, prefix, where, p.getRawType());
            for (Type a : p.getActualTypeArguments()) {
                check(found, prefix, where, a);
            }
        } else if (type instanceof WildcardType) {
            for (Type b : ((WildcardType) type).getUpperBounds()) {
                check(found, prefix, where, b);
            }
            for (Type b : ((WildcardType) type).getLowerBounds()) {
                check(found, prefix, where, b);
            }
        } else if (type instanceof GenericArrayType) {
            check(found, prefix, where, ((GenericArrayType) type).getGenericComponentType());
        } else if (type instanceof TypeVariable<?>) {
            for (Type b : ((TypeVariable<?>) type).getBounds()) {
                check(found, prefix, where, b);
            }
        }
    }

    private static boolean isVisible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isVisible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static List<Class<?>> classes(Class<?> anyClassOfTheModule) {
        Path root;
        try {
            root = Path.of(anyClassOfTheModule.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.isDirectory(root) ? Files.walk(root) : Stream.empty()) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = root.relativize(f).toString();
                if (name.endsWith(".class") && !name.contains("-")) {
                    String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                    classes.add(Class.forName(className, false, anyClassOfTheModule.getClassLoader()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        if (classes.isEmpty()) {
            throw new IllegalStateException("no classes under " + root + " (is it a jar?)");
        }
        return classes;
    }
}
