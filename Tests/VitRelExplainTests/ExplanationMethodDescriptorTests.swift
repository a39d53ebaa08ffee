import XCTest
@testable import VitRelExplain

/// Each method as one value: its descriptor answers what the scattered switches used to.
final class ExplanationMethodDescriptorTests: XCTestCase {
    func testEveryDescriptorDescribesItsOwnMethod() {
        for method in ExplanationMethod.allCases { XCTAssertEqual(method.descriptor.method, method) }
    }

    func testTokenLevelSignedAndInternalsAreTheDocumentedOnes() {
        let tokenLevel: Set<ExplanationMethod> = [
            .cheferLRP, .cheferGradientRollout, .lrpRollout, .lrpLastLayer, .rawAttention, .attentionRollout, .attentionGradCAM, .gradCAM,
        ]
        let signed: Set<ExplanationMethod> = [.lrpFull, .attnLRP, .cpLRP, .gradientInput, .integratedGradients, .deepLIFT, .lime]
        for method in ExplanationMethod.allCases {
            XCTAssertEqual(method.isTokenLevel, tokenLevel.contains(method), "\(method)")
            XCTAssertEqual(method.isSigned, signed.contains(method), "\(method)")
            XCTAssertEqual(method.needsModelInternals, method != .lime, "\(method)")
        }
        XCTAssertEqual(ExplanationMethod.lime.descriptor.output, .superpixelWeights)
        XCTAssertEqual(ExplanationMethod.lime.descriptor.needs, .perturbation)
    }

    func testTheLRPFamilyNamesItsRulesAndOnlyItNeedsARelevancePass() {
        let expected: [ExplanationMethod: RelevanceRuleSet] = [
            .cheferLRP: .chefer, .lrpRollout: .chefer, .lrpLastLayer: .chefer, .lrpFull: .chefer, .attnLRP: .attnLRP, .cpLRP: .cpLRP,
        ]
        var options = ExplanationOptions()
        options.epsilon = 0.01
        options.gamma = 0.5
        for method in ExplanationMethod.allCases {
            XCTAssertEqual(method.descriptor.ruleSet, expected[method], "\(method)")
            XCTAssertEqual(method.descriptor.needs.contains(.relevancePass), expected[method] != nil, "\(method)")
        }
        XCTAssertEqual(ExplanationMethod.attnLRP.descriptor.relevanceRules(options), .attnLRP(epsilon: 0.01, gamma: 0.5))
        XCTAssertEqual(ExplanationMethod.cpLRP.descriptor.relevanceRules(options), .cpLRP(epsilon: 0.01, gamma: 0.5))
        XCTAssertEqual(ExplanationMethod.lrpFull.descriptor.relevanceRules(options), .chefer)
        XCTAssertNil(ExplanationMethod.gradient.descriptor.relevanceRules(options))
    }

    /// The flags each method reads, as `vitrel explain` records them (unchanged by the descriptors).
    func testEachMethodReadsTheOptionsItAlwaysRead() {
        let options = ExplanationOptions()
        let expected: [ExplanationMethod: [String: String]] = [
            .cheferLRP: ["start-layer": "0"], .lrpRollout: ["start-layer": "0"],
            .attnLRP: ["epsilon": "1e-06", "gamma": "0.25"], .cpLRP: ["epsilon": "1e-06", "gamma": "0.25"],
            .attentionRollout: ["head-fusion": "mean", "discard-ratio": "0.0"],
            .integratedGradients: ["steps": "50", "baseline": "0.0"], .deepLIFT: ["baseline": "0.0"],
            .gradCAM: ["gradcam-variant": "gap"],
        ]
        for method in ExplanationMethod.allCases {
            XCTAssertEqual(options.settings(of: method), expected[method] ?? [:], "\(method)")
        }
    }
}
