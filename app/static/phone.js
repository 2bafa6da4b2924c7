// The phone pages: after a report is sent, the address bar shows its status page, so a reload
// opens the status instead of sending the report twice.
"use strict";
const pageUrl = document.body.dataset.pageUrl;
if (pageUrl) history.replaceState(null, "", pageUrl);
