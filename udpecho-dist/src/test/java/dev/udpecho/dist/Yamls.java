package dev.udpecho.dist;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Walking parsed YAML (SnakeYAML's maps and lists) in the tests of the deployment files. */
final class Yamls {
    private Yamls() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    /** @return the value at a path of keys and list indices, e.g. "spec", "template", "spec"; fails if none. */
    static Object at(Object root, Object... path) {
        Object o = root;
        for (Object step : path) {
            o = step instanceof Integer ? list(o).get((Integer) step) : map(o).get(step);
            assertThat(o).as(Arrays.toString(path) + " at " + step).isNotNull();
        }
        return o;
    }
}
