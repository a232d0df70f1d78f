package dev.udpecho.consumer;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** What the outer build tells these tests, and the poms and metadata they read. */
final class Build {
    private Build() {
    }

    /** @return the value of a system property that Maven sets for these tests. */
    static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(name + " is not set: run these tests through Maven (mvn verify)");
        }
        return value;
    }

    /** @return the repository's root. */
    static Path root() {
        return Paths.get(property("udpecho.home"));
    }

    /** @return the version being built. */
    static String version() {
        return property("udpecho.version");
    }

    /** @return the repository the build deploys to at verify. */
    static Path staging() {
        return Paths.get(property("udpecho.staging"));
    }

    /** @return the file parsed, with no external entities or DTDs fetched. */
    static Document xml(Path file) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(file.toFile());
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** @return the child elements of {@code parent} named {@code name}, in order. */
    static List<Element> children(Node parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element && ((Element) nodes.item(i)).getTagName().equals(name)) {
                found.add((Element) nodes.item(i));
            }
        }
        return found;
    }

    /** @return the text of the first child named {@code name}, trimmed; null if there is none. */
    static String text(Node parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0).getTextContent().trim();
    }

    /** @return the element at the end of {@code path} (child names) below {@code from}; null if there is none. */
    static Element at(Element from, String... path) {
        Element e = from;
        for (String name : path) {
            List<Element> found = children(e, name);
            if (found.isEmpty()) {
                return null;
            }
            e = found.get(0);
        }
        return e;
    }

    /** A module of the reactor, as its pom declares it. */
    record Module(String directory, String artifactId, String packaging, boolean deployed) {
    }

    /** @return the modules the root pom lists, in its order. */
    static List<Module> modules() throws IOException {
        Element root = xml(root().resolve("pom.xml")).getDocumentElement();
        List<Module> modules = new ArrayList<>();
        for (Element m : children(at(root, "modules"), "module")) {
            String directory = m.getTextContent().trim();
            Element pom = xml(root().resolve(directory).resolve("pom.xml")).getDocumentElement();
            String packaging = text(pom, "packaging");
            Element properties = at(pom, "properties");
            boolean skipped = properties != null && "true".equals(text(properties, "maven.deploy.skip"));
            modules.add(new Module(directory, text(pom, "artifactId"), packaging == null ? "jar" : packaging,
                    !skipped));
        }
        return modules;
    }
}
