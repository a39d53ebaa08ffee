import Foundation

extension DatasetIndex {
    /// Whether `root` looks like split folders: at least one subfolder is named for a split
    /// (`train`, `val`, `validation`, `test`, … in any case; see `DatasetSplit(folderName:)`).
    static func hasSplitFolders(_ root: URL) -> Bool {
        DatasetFiles.subdirectories(of: root).contains { DatasetSplit(folderName: $0.lastPathComponent) != nil }
    }

    /// Reads split folders, the ImageFolder-with-splits layout most Kaggle copies ship
    /// (the COVID-19 Radiography Database among them):
    /// `<root>/{train,val|validation,test}/<class>/*.png|jpg|jpeg`, split and class from the
    /// folder names (case-insensitive split names; class names as written, spaces allowed).
    /// Each split may lack classes the others have; `classNames` is the union in canonical order.
    ///
    /// Nothing is guessed: a subfolder of the root that names no split, two folders naming one
    /// split (`val` and `validation`), a class folder without images, and a file in a class
    /// folder that is not an image (other than hidden files and the operating systems'
    /// `Thumbs.db` / `desktop.ini`) are errors naming the path. Files beside the split folders
    /// (a README, metadata sheets) are ignored.
    ///
    /// - Throws: `DatasetError` — `.notFound`, `.unexpectedFolder`, `.duplicateSplit`,
    ///   `.emptyClassFolder`, `.notAnImage`, `.unrecognizedLayout` (no split folder).
    public static func splitFolders(root: URL) throws -> DatasetIndex {
        guard DatasetFiles.isDirectory(root) else { throw DatasetError.notFound(root) }
        var splitDirectories: [DatasetSplit: URL] = [:]
        for directory in DatasetFiles.subdirectories(of: root) {
            guard let split = DatasetSplit(folderName: directory.lastPathComponent) else {
                throw DatasetError.unexpectedFolder(directory, expected: "a split folder (train, val, validation or test)")
            }
            if let other = splitDirectories[split] { throw DatasetError.duplicateSplit(other, directory) }
            splitDirectories[split] = directory
        }
        guard !splitDirectories.isEmpty else { throw DatasetError.unrecognizedLayout(root) }

        var found: [LabelledImage] = []
        var classDirectories: [String: URL] = [:]
        for split in DatasetSplit.allCases {
            guard let splitDirectory = splitDirectories[split] else { continue }
            for classDirectory in DatasetFiles.subdirectories(of: splitDirectory) {
                let className = classDirectory.lastPathComponent
                if classDirectories[className] == nil { classDirectories[className] = classDirectory }
                if let stray = DatasetFiles.nonImageFiles(in: classDirectory).first { throw DatasetError.notAnImage(stray) }
                let images = DatasetFiles.imageFiles(in: classDirectory)
                guard !images.isEmpty else { throw DatasetError.emptyClassFolder(classDirectory) }
                for image in images {
                    found.append(LabelledImage(imageURL: image, classIndex: -1, className: className, split: split))
                }
            }
        }
        guard !found.isEmpty else { throw DatasetError.unrecognizedLayout(root) }
        let classNames = canonicalOrder(Set(found.map(\.className)))
        let items = found.map { item -> LabelledImage in
            var labelled = item
            labelled.classIndex = classNames.firstIndex(of: item.className)!
            return labelled
        }
        return DatasetIndex(root: root, layout: .splitFolders, classNames: classNames,
                            items: sortedForIndex(items, root: root), classDirectories: classDirectories)
    }
}
