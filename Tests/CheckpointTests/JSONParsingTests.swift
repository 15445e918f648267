import Checkpoint
import Report
import Testing

/// JSON text read back renders exactly as written (key order, integers apart from doubles).
@Suite struct JSONParserTests {
    @Test func roundTrips() throws {
        let value = JSON.object([
            ("a", .int(3)), ("b", .double(3.0)), ("c", .double(1e-300)), ("d", .array([.null, .bool(true), .bool(false)])),
            ("e", .string("tab\t \"quote\" \u{1} é ∑")), ("f", .object([])), ("g", .array([])), ("h", .double(-0.25)),
        ])
        let text = value.rendered()
        let back = try JSON(parsing: text)
        #expect(back.rendered() == text)
        #expect(back["a"]?.rendered() == "3" && back["b"]?.rendered() == "3.0" && back["z"] == nil)
    }

    @Test func errorsNameTheOffset() {
        for (text, offset) in [("{\"a\": }", 6), ("[1, 2", 5), ("{\"a\": 1} x", 9), ("\"open", 5)] {
            #expect(throws: CheckpointError.self) { try JSON(parsing: text) }
            do { _ = try JSON(parsing: text) } catch {
                guard case .invalidJSON(let at, _) = error else { Issue.record("\(text): \(error)"); continue }
                #expect(at == offset, "\(text): \(error)")
            }
        }
    }
}
