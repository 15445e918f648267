import Testing
@testable import Notebook

let known: Set<String> = ["count", "dags", "rank"]

/// A notebook with every construct the format has.
let sample = """
# Title

Prose with `inline` code.

<!-- vary: [0-9.]+ s -->
```sh analyze
analyze count --n 8 --k 2
```

```text output
k  value
2  28
took 0.5 s
```

````markdown
```sh analyze
analyze this is only an example
```
````

~~~bash analyze
analyze rank --random 4,3 \\
  --target 'b*a' --select "0,1"
~~~
~~~text output
rank 3
~~~

```sh analyze fails
analyze count --n 2 --k 3
```

```text output
analyze: --k 3 is larger than --n 2
```
The end.

"""

/// Parsing: cells, words, outputs, and that rendering the committed outputs gives the text back.
@Suite struct NotebookParserTests {
    @Test func findsEveryCellWithItsWordsAndOutput() throws {
        let notebook = try Notebook(parsing: sample, subcommands: known)
        #expect(notebook.cells.count == 3)
        let first = notebook.cells[0]
        #expect(first.words == ["analyze", "count", "--n", "8", "--k", "2"])
        #expect(first.line == 6)
        #expect(first.committedOutput == ["k  value", "2  28", "took 0.5 s"])
        #expect(first.output?.firstContentLine == 11)
        #expect(first.vary.map(\.pattern) == ["[0-9.]+ s"])
        let second = notebook.cells[1]
        #expect(second.arguments == ["rank", "--random", "4,3", "--target", "b*a", "--select", "0,1"])
        #expect(second.line == 22)
        #expect(second.vary.isEmpty)
        #expect(second.committedOutput == ["rank 3"])
        #expect(!second.expectsFailure)
        #expect(notebook.cells[2].expectsFailure)
    }

    @Test func roundTripGivesTheTextBack() throws {
        for text in [sample, sample.replacingOccurrences(of: "\n", with: "\r\n"), "", "no cells\n", "x",
                     String(sample.dropLast())] {
            let notebook = try Notebook(parsing: text, subcommands: known)
            #expect(notebook.rendered(outputs: notebook.cells.map(\.committedOutput)) == text)
            #expect(notebook.rendered(outputs: []) == text)
        }
    }

    @Test func crlfNotebooksParseLikeUnixOnes() throws {
        let unix = try Notebook(parsing: sample, subcommands: known)
        let dos = try Notebook(parsing: sample.replacingOccurrences(of: "\n", with: "\r\n"), subcommands: known)
        #expect(dos.cells.map(\.words) == unix.cells.map(\.words))
        #expect(dos.cells.map(\.line) == unix.cells.map(\.line))
    }

    @Test func renderingReplacesOutputsAndKeepsTheRest() throws {
        let notebook = try Notebook(parsing: sample, subcommands: known)
        let text = notebook.rendered(outputs: [["new"], ["a", "b"], ["err"]])
        let again = try Notebook(parsing: text, subcommands: known)
        #expect(again.cells.map(\.committedOutput) == [["new"], ["a", "b"], ["err"]])
        #expect(text.hasPrefix("# Title\n\nProse with `inline` code.\n"))
        #expect(text.hasSuffix("```\nThe end.\n"))
        #expect(text.contains("~~~text output\na\nb\n~~~"))
    }

    @Test func missingOutputBlockIsInserted() throws {
        let text = "Intro\n```sh analyze\nanalyze dags --k 3\n```\nAfter\n"
        let notebook = try Notebook(parsing: text, subcommands: known)
        #expect(notebook.cells.first?.output == nil)
        let filled = notebook.rendered(outputs: [["3 DAGs"]])
        #expect(filled == "Intro\n```sh analyze\nanalyze dags --k 3\n```\n\n```text output\n3 DAGs\n```\nAfter\n")
        let again = try Notebook(parsing: filled, subcommands: known)
        #expect(again.cells.first?.committedOutput == ["3 DAGs"])
    }

    @Test func fenceGrowsWhenTheOutputHoldsOne() throws {
        let text = "```sh analyze\nanalyze dags --k 3\n```\n```text output\nold\n```\n"
        let notebook = try Notebook(parsing: text, subcommands: known)
        let output = ["before", "```", "````dot", "after"]
        let filled = notebook.rendered(outputs: [output])
        #expect(filled.contains("\n````text output\n"))  // "````dot" has an info string: it closes nothing
        let again = try Notebook(parsing: filled, subcommands: known)
        #expect(again.cells.first?.committedOutput == output)
    }

    @Test func indentedFencesKeepTheirIndent() throws {
        let text = "  ```sh analyze\n  analyze count --n 3 --k 2\n  ```\n  ```text output\n  a\n   b\n\n  ```\n"
        let notebook = try Notebook(parsing: text, subcommands: known)
        #expect(notebook.cells.first?.committedOutput == ["a", " b", ""])
        let filled = notebook.rendered(outputs: [["x", " y"]])
        #expect(filled == "  ```sh analyze\n  analyze count --n 3 --k 2\n  ```\n  ```text output\n  x\n   y\n  ```\n")
    }

    @Test func quotingFollowsTheShell() throws {
        #expect(try commandWords(#"analyze rank --target 'b*a' "x y" a\ b "q\"z" 'it''s' # note"#)
                == ["analyze", "rank", "--target", "b*a", "x y", "a b", "q\"z", "its"])
        #expect(try commandWords(#"a "" ''"#) == ["a", "", ""])
        #expect(try commandWords(#"a "\n""#) == ["a", #"\n"#])
        #expect(try commandWords("a 'x|y' \"<z>\"") == ["a", "x|y", "<z>"])
    }

    @Test func continuationNeedsAnOddNumberOfBackslashes() {
        #expect(NotebookParser.continues("a \\"))
        #expect(!NotebookParser.continues("a \\\\"))
        #expect(NotebookParser.continues("a \\\\\\"))
        #expect(!NotebookParser.continues("a"))
    }
}
