// swift-tools-version: 6.0
// libFuzzer targets for WSProtocol; see README.md for the build/run commands.
import PackageDescription

let package = Package(
    name: "wsload-fuzz",
    // An explicit name: the path dependency's identity is its folder name (`main`, `wsload`, …), which `package:` below must not depend on.
    dependencies: [.package(name: "wsload", path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "FuzzFrameDecoder", dependencies: ["CFuzzerDriver", .product(name: "WSProtocol", package: "wsload")]),
        .executableTarget(name: "FuzzResponseHead", dependencies: ["CFuzzerDriver", .product(name: "WSProtocol", package: "wsload")]),
        .executableTarget(name: "FuzzInflater", dependencies: ["CFuzzerDriver", .product(name: "WSProtocol", package: "wsload")]),
    ]
)
