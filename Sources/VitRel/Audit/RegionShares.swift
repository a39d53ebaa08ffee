import Foundation

/// Where an explanation puts its positive relevance on a film: the share in the border band,
/// in the corners and in the centre, each to be read against the region's share of the area
/// (a map spread evenly puts 36% in a 10% border band).
///
/// Positive relevance only, as Arras et al. (2022) define relevance mass: with signed maps the
/// net sum can be near zero and a ratio meaningless.
public struct RegionShares: Codable, Equatable, Sendable {
    public var border: Double
    public var corners: Double
    public var centre: Double

    public init(border: Double, corners: Double, centre: Double) {
        self.border = border
        self.corners = corners
        self.centre = centre
    }

    /// The shares of `map` (row-major, one value per pixel) in `border`, `corners` and the
    /// complement of `border`; NaN when the map has no positive relevance.
    public init(map: [Float], border borderRegion: [Bool], corners cornerRegion: [Bool]) {
        precondition(map.count == borderRegion.count && map.count == cornerRegion.count, "map and regions differ in size")
        var total = 0.0, inBorder = 0.0, inCorners = 0.0
        for i in map.indices where map[i] > 0 {
            let value = Double(map[i])
            total += value
            if borderRegion[i] { inBorder += value }
            if cornerRegion[i] { inCorners += value }
        }
        guard total > 0 else {
            self.init(border: .nan, corners: .nan, centre: .nan)
            return
        }
        self.init(border: inBorder / total, corners: inCorners / total, centre: (total - inBorder) / total)
    }

    /// The regions' shares of the area itself: what a map spread evenly would give.
    public init(areaOf border: [Bool], corners: [Bool]) {
        let count = Double(border.count)
        let inBorder = Double(border.filter { $0 }.count), inCorners = Double(corners.filter { $0 }.count)
        self.init(border: inBorder / count, corners: inCorners / count, centre: (count - inBorder) / count)
    }
}
