import XCTest
import VitRelTestSupport
@testable import VitRelExplain

/// One forward trace per explanation: a method started from the trace its caller already ran
/// gives the maps, ledgers and gaps it gives when it runs the forward pass itself, bit for bit.
final class ExplanationTraceReuseTests: XCTestCase {
    func testEveryMethodGivesTheSameExplanationFromAGivenTrace() throws {
        let model = TinyViT.model(pooling: .token, seed: 3)
        for batch in [1, 2] {
            let images = TinyViT.randomTensor([batch, 3, 8, 12], seed: 11)
            let trace = try model.forward(images)
            let explainer = Explainer(model: model)
            var explained = 0
            for method in ExplanationMethod.allCases where method.descriptor.needsModelInternals {
                let own: Explanation
                do { own = try explainer.explain(images, method: method) } catch {
                    XCTAssertThrowsError(try explainer.explain(images, method: method, trace: trace), "\(method) fails alike")
                    continue
                }
                let reused = try explainer.explain(images, method: method, trace: trace)
                XCTAssertEqual(reused.targets, own.targets, "\(method)")
                XCTAssertEqual(reused.maps.map { $0.values.map(\.bitPattern) }, own.maps.map { $0.values.map(\.bitPattern) }, "\(method), batch \(batch)")
                XCTAssertEqual(reused.ledgers?.map { $0.entries.map(\.relevanceIn) }, own.ledgers?.map { $0.entries.map(\.relevanceIn) }, "\(method)")
                XCTAssertEqual(reused.completenessGaps, own.completenessGaps, "\(method)")
                explained += 1
            }
            XCTAssertGreaterThanOrEqual(explained, 10, "the model-internal methods on a CLS-token ViT")
        }
    }
}
