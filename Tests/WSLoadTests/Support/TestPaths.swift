import Foundation

/// Paths into the package checkout, found from this file wherever the test folders are nested.
enum TestPaths {
    /// The package root: the nearest folder above this file that holds `Package.swift`.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// `Tests/WSLoadTests/Fixtures`.
    static let fixtures = packageRoot.appendingPathComponent("Tests/WSLoadTests/Fixtures")
}
