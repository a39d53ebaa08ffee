import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting
@testable import VitRelCompare

/// One source of truth for each method's rules: the conservation audit runs exactly what the
/// methods' descriptors name.
final class ConservationRuleSetTests: XCTestCase {
    func testEveryMethodsRulesAreTheAuditsRulesOfTheSameName() {
        for (epsilon, gamma) in [(1e-6, 0.25), (0.01, 0.5)] {
            var options = ExplanationOptions()
            options.epsilon = epsilon
            options.gamma = gamma
            for method in ExplanationMethod.allCases {
                guard let ruleSet = method.descriptor.ruleSet else { continue }
                let audit = ConservationRuleSet.allCases.first { $0.ruleSet == ruleSet }
                XCTAssertNotNil(audit, "\(method): its rules can be audited")
                XCTAssertEqual(method.descriptor.relevanceRules(options), audit?.rules(epsilon: epsilon, gamma: gamma), "\(method)")
            }
            for audit in ConservationRuleSet.allCases {
                guard let method = audit.method else { continue }
                XCTAssertEqual(audit.rules(epsilon: epsilon, gamma: gamma), method.descriptor.relevanceRules(options), "\(audit)")
            }
        }
    }

    /// The rules, the seeds and the check are the ones the audit always ran.
    func testTheAuditsRuleSetsAreUnchanged() {
        XCTAssertEqual(ConservationRuleSet.allCases.map(\.rawValue), ["chefer", "attnlrp", "cp-lrp", "lrp-0"])
        XCTAssertEqual(ConservationRuleSet.chefer.rules(epsilon: 0.1, gamma: 0.3), .chefer)
        XCTAssertEqual(ConservationRuleSet.attnlrp.rules(epsilon: 0.1, gamma: 0.3), .attnLRP(epsilon: 0.1, gamma: 0.3))
        XCTAssertEqual(ConservationRuleSet.cpLRP.rules(epsilon: 0.1, gamma: 0.3), .cpLRP(epsilon: 0.1, gamma: 0.3))
        XCTAssertEqual(ConservationRuleSet.lrp0.rules(epsilon: 0.1, gamma: 0.3), .lrp0)
        XCTAssertEqual(ConservationRuleSet.allCases.filter(\.isChecked), [.attnlrp, .cpLRP, .lrp0])
        XCTAssertEqual(ConservationRuleSet.allCases.filter(\.startsFromLogit), [.attnlrp, .cpLRP, .lrp0])
        XCTAssertEqual(ConservationRuleSet.allCases.filter(\.takesEpsilonAndGamma), [.attnlrp, .cpLRP])
    }
}
