import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG document read back with Foundation's `XMLParser`: the element tree, so tests check
/// what an XML reader sees (unescaped text, attribute values) rather than searching strings.
public final class SVGElement {
    public let name: String
    public let attributes: [String: String]
    public var children: [SVGElement] = []
    /// Character data directly inside the element, unescaped.
    public var text = ""

    public init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// This element and every element under it, in document order.
    public var all: [SVGElement] { [self] + children.flatMap(\.all) }

    public func elements(_ name: String) -> [SVGElement] { all.filter { $0.name == name } }

    public func number(_ attribute: String, file: StaticString = #filePath, line: UInt = #line) -> Double {
        guard let text = attributes[attribute], let value = Double(text) else {
            XCTFail("<\(name)> has no number \(attribute): \(attributes)", file: file, line: line)
            return .nan
        }
        return value
    }

    /// The `points` of a polyline or polygon.
    public var points: [(x: Double, y: Double)] {
        (attributes["points"] ?? "").split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double($0)! }
            return (xy[0], xy[1])
        }
    }

    /// The `<title>` of a group.
    public var title: String? { children.first { $0.name == "title" }?.text }
}

public enum SVGReader {
    /// The root element of `xml`; fails the test (and returns nil) when the XML is not well formed.
    public static func parse(_ xml: String, file: StaticString = #filePath, line: UInt = #line) -> SVGElement? {
        let parser = XMLParser(data: Data(xml.utf8))
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            XCTFail("not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "no root") at line \(parser.lineNumber)", file: file, line: line)
            return nil
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: SVGElement?
        var stack = [SVGElement]()

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let element = SVGElement(name: elementName, attributes: attributes)
            if let parent = stack.last { parent.children.append(element) } else { root = element }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}
