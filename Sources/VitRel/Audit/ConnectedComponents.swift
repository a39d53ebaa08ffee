/// The 8-connected components of a binary mask (row-major [height, width]), each with its
/// pixels and bounding box: what the text detector examines and what painting text over fills.
struct ConnectedComponent {
    /// Pixel indices, in flood-fill order.
    var pixels: [Int]
    var top: Int
    var bottom: Int
    var left: Int
    var right: Int

    var height: Int { bottom - top + 1 }
    var width: Int { right - left + 1 }

    /// Every component of `mask`, in the order of their first pixel in row-major order.
    static func all(in mask: [Bool], height: Int, width: Int) -> [ConnectedComponent] {
        precondition(mask.count == height * width, "\(mask.count) mask values for \(height)×\(width)")
        var seen = [Bool](repeating: false, count: mask.count)
        var components = [ConnectedComponent]()
        var stack = [Int]()
        for start in mask.indices where mask[start] && !seen[start] {
            var component = ConnectedComponent(pixels: [], top: height, bottom: -1, left: width, right: -1)
            seen[start] = true
            stack.append(start)
            while let index = stack.popLast() {
                component.pixels.append(index)
                let y = index / width, x = index % width
                component.top = min(component.top, y)
                component.bottom = max(component.bottom, y)
                component.left = min(component.left, x)
                component.right = max(component.right, x)
                for ny in max(0, y - 1)...min(height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(width - 1, x + 1) {
                        let neighbour = ny * width + nx
                        if mask[neighbour] && !seen[neighbour] {
                            seen[neighbour] = true
                            stack.append(neighbour)
                        }
                    }
                }
            }
            components.append(component)
        }
        return components
    }
}
