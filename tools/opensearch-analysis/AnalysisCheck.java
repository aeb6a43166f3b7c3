// The words OpenSearch makes of a text with the `news` analyser of a newsidx export's
// mapping.json, computed with Lucene's own analysis classes: the same classes
// OpenSearch's analysis-common module builds for these tokenizer and filter types
// (`pattern` → PatternTokenizer, `standard` → StandardTokenizer, `length` →
// LengthFilter, `lowercase` → LowerCaseFilter, `asciifolding` → ASCIIFoldingFilter,
// `stemmer` with `porter2` → SnowballFilter(EnglishStemmer), with
// `possessive_english` → EnglishPossessiveFilter).
//
// Input (standard input), one field a line: KEY, a tab, the text in base64.
// The analyser comes as arguments: the tokenizer (`pattern:GROUP:REGEX` or `standard`),
// then each filter (`length:MAX`, `lowercase`, `asciifolding`, `stemmer:LANGUAGE`).
// Output: KEY, a tab, the tokens as `position:word` joined by spaces.
// An analyser part this program does not know is an error (exit 2), never skipped.

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.tartarus.snowball.ext.EnglishStemmer;

public class AnalysisCheck {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            fail("usage: AnalysisCheck TOKENIZER [FILTER...] < fields");
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                fail("an input line without a tab");
            }
            String text = new String(Base64.getDecoder().decode(line.substring(tab + 1)), StandardCharsets.UTF_8);
            out.write(line, 0, tab);
            out.write('\t');
            try (TokenStream ts = build(args, text)) {
                CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
                PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
                ts.reset();
                int pos = -1;
                boolean first = true;
                while (ts.incrementToken()) {
                    pos += inc.getPositionIncrement();
                    if (!first) {
                        out.write(' ');
                    }
                    first = false;
                    out.write(pos + ":" + term);
                }
                ts.end();
            }
            out.write('\n');
        }
        out.flush();
    }

    static TokenStream build(String[] args, String text) {
        Tokenizer tok;
        String t = args[0];
        if (t.equals("standard")) {
            tok = new StandardTokenizer();
        } else if (t.startsWith("pattern:")) {
            String[] p = t.split(":", 3);
            tok = new PatternTokenizer(Pattern.compile(p[2]), Integer.parseInt(p[1]));
        } else {
            throw fail("unknown tokenizer " + t);
        }
        tok.setReader(new StringReader(text));
        TokenStream ts = tok;
        for (int i = 1; i < args.length; i++) {
            String f = args[i];
            if (f.equals("lowercase")) {
                ts = new LowerCaseFilter(ts);
            } else if (f.equals("asciifolding")) {
                ts = new ASCIIFoldingFilter(ts);
            } else if (f.startsWith("length:")) {
                ts = new LengthFilter(ts, 0, Integer.parseInt(f.substring(7)));
            } else if (f.equals("stemmer:porter2")) {
                ts = new SnowballFilter(ts, new EnglishStemmer());
            } else if (f.equals("stemmer:possessive_english")) {
                ts = new EnglishPossessiveFilter(ts);
            } else {
                throw fail("unknown filter " + f);
            }
        }
        return ts;
    }

    static RuntimeException fail(String msg) {
        System.err.println("AnalysisCheck: " + msg);
        System.exit(2);
        return new RuntimeException(msg);
    }
}
