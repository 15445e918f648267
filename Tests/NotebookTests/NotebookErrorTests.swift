import Testing
@testable import Notebook

/// Every parse error, with the line it names.
@Suite struct NotebookErrorTests {
    func error(_ text: String) -> NotebookError? {
        do {
            _ = try Notebook(parsing: text, subcommands: known)
            return nil
        } catch {
            return error
        }
    }

    @Test func unterminatedFencesNameTheirOpeningLine() {
        #expect(error("a\nb\n```sh analyze\nanalyze count --n 2 --k 1\n")
                == NotebookError(line: 3, "unterminated ``` block: no closing ``` before the end of the notebook"))
        #expect(error("```sh analyze\nanalyze count --n 2 --k 1\n```\n\n~~~~text output\nx\n~~~\n")?.line == 5)
        #expect(error("text\n````\n```\n")?.line == 2)
        #expect(error("```python\nprint(1)\n")?.line == 1)
    }

    @Test func commandsMustStartWithAnalyze() {
        #expect(error("x\n```sh analyze\n\nswift run analyze count\n```\n")
                == NotebookError(line: 4, "command must start with `analyze` (got `swift`)"))
        #expect(error("```sh analyze\n```\n") == NotebookError(line: 1, "analyze block holds no command"))
        #expect(error("```sh analyze\n# just a comment\n```\n")?.line == 2)
    }

    @Test func unknownAndMissingSubcommands() {
        #expect(error("\n\n```sh analyze\nanalyze train --task sum\n```\n")
                == NotebookError(line: 4, "unknown subcommand `train` (known: count, dags, rank)"))
        #expect(error("```sh analyze\nanalyze\n```\n")
                == NotebookError(line: 2, "command names no subcommand (known: count, dags, rank)"))
    }

    @Test func oneCommandPerBlock() {
        #expect(error("```sh analyze\nanalyze count --n 2 --k 1\n\nanalyze dags --k 2\n```\n")
                == NotebookError(line: 4, "analyze block holds 2 commands; put each in its own block"))
        #expect(error("```sh analyze\nanalyze count --n 2 \\\n```\n")?.line == 2)
    }

    @Test func shellSyntaxAndQuotes() {
        #expect(error("```sh analyze\nanalyze count --n 2 --k 1 | head\n```\n")?.line == 2)
        #expect(error("```sh analyze\nanalyze count --n 2 --k 1 > out.txt\n```\n")?.message.contains("`>`") == true)
        #expect(error("\n```sh analyze\nanalyze count --n '2 --k 1\n```\n")
                == NotebookError(line: 3, "unterminated ' quote in the command"))
        #expect(error("```sh analyze\nanalyze count --n \"$N\"\n```\n")?.line == 2)
    }

    @Test func strayOutputBlocksAndBadOptions() {
        #expect(error("text\n\n```text output\nx\n```\n")
                == NotebookError(line: 3, "output block follows no analyze command block"))
        #expect(error("```sh analyze\nanalyze count --n 2 --k 1\n```\n```text output\na\n```\n```text output\nb\n```\n")?.line == 7)
        #expect(error("```sh analyze slow\nanalyze count --n 2 --k 1\n```\n")
                == NotebookError(line: 1, "unknown option `slow` on an analyze block (known: fails)"))
        #expect(error("```analyze output\nx\n```\n")?.line == 1)
    }

    @Test func varyCommentErrors() {
        #expect(error("a\n<!-- vary: ( -->\n```sh analyze\nanalyze dags --k 2\n```\n")
                == NotebookError(line: 2, "invalid vary pattern `(` (ICU regular expression syntax)"))
        #expect(error("<!-- vary: -->\n")?.message == "empty vary pattern")
        #expect(error("<!-- vary: x\n-->\n")?.line == 1)
        #expect(error("```sh analyze\nanalyze dags --k 2\n```\n\n<!-- vary: ms -->\nend\n")
                == NotebookError(line: 5, "vary comment is followed by no analyze command block"))
    }

    @Test func descriptionCarriesTheLine() {
        #expect(NotebookError(line: 7, "bad").description == "line 7: bad")
    }
}
