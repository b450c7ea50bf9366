import TownhallApp

/// The executable does nothing but hand its arguments to the command tree.
@main
struct Townhall {
    static func main() async {
        await TownhallCommand.main(nil)
    }
}
