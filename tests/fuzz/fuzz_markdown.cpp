// Message text from any user, to what every reader's app shows: the renderer must neither crash
// nor write markup that Text.StyledText would load something from (an <img>, a link other than
// http, https, mailto, or a message link that only opens inside the app), and its output stays
// linear in the input.
#include "../support/StyledTextCheck.h"
#include "render/MessageRenderer.h"

#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace render = rill::client::MessageRenderer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size > 64 * 1024)
        return 0; // the protocol's longest message is 4,000 code points
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString styled = render::render(text);
    if (!rill::test::problemsOf(styled).isEmpty() || !rill::test::withinBounds(text, styled)) {
        std::fprintf(stderr, "unsafe output: %s\n", qPrintable(styled.left(2000)));
        __builtin_trap();
    }
    for (const render::Link &link : render::links(text)) {
        const QString target = render::openableTarget(link.target);
        if (!target.isEmpty() && !target.startsWith(u"http://") && !target.startsWith(u"https://")
            && !target.startsWith(u"mailto:") && !target.startsWith(u"rill://"))
            __builtin_trap(); // only these three ever open outside the app
        (void)render::revealControls(link.text);
    }
    return 0;
}
