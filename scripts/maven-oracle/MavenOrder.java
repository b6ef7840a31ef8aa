// Reads "a<TAB>b" lines on stdin and prints '<', '=' or '>' for each: the order Maven's own
// ComparableVersion gives (compiled from Maven's source by scripts/maven-oracle/generate.mjs).
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenOrder {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      int tab = line.indexOf('\t');
      int c = new ComparableVersion(line.substring(0, tab)).compareTo(new ComparableVersion(line.substring(tab + 1)));
      out.println(c < 0 ? "<" : c > 0 ? ">" : "=");
    }
    out.flush();
  }
}
