#!/bin/sh
# The counter kiosk PC: Chromium full screen on the product's kiosk page, nothing else.
# Started on login by mart-kiosk.desktop; if Chromium exits or crashes it starts again after 2 seconds.
#   MART_KIOSK_URL   the kiosk page (default http://mart.plant.local/kiosk/)
#   CHROMIUM         the browser (default: chromium, else chromium-browser)
#   MART_KIOSK_RUNS  stop after this many starts (for tests; default: forever)
set -u
URL="${MART_KIOSK_URL:-http://mart.plant.local/kiosk/}"
BROWSER="${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}"
PROFILE="${XDG_CONFIG_HOME:-$HOME/.config}/mart-kiosk"
RUNS="${MART_KIOSK_RUNS:-0}"

# No screen saver, no blanking, no power saving of the display.
if command -v xset >/dev/null 2>&1 && [ -n "${DISPLAY:-}" ]; then
    xset s off
    xset s noblank
    xset -dpms
fi

started=0
while :; do
    # After a crash Chromium would offer to restore the last session: mark the last exit as clean.
    if [ -f "$PROFILE/Default/Preferences" ]; then
        sed -i 's/"exited_cleanly":false/"exited_cleanly":true/; s/"exit_type":"[A-Za-z]*"/"exit_type":"Normal"/' \
            "$PROFILE/Default/Preferences"
    fi
    "$BROWSER" \
        --kiosk "$URL" \
        --user-data-dir="$PROFILE" \
        --no-first-run \
        --noerrdialogs \
        --disable-infobars \
        --disable-session-crashed-bubble \
        --disable-restore-session-state \
        --disable-pinch \
        --overscroll-history-navigation=0 \
        --disable-features=Translate,TouchpadOverscrollHistoryNavigation \
        --disable-translate \
        --disable-sync \
        --password-store=basic \
        --check-for-update-interval=31536000
    started=$((started + 1))
    if [ "$RUNS" -gt 0 ] && [ "$started" -ge "$RUNS" ]; then
        exit 0
    fi
    sleep 2
done
