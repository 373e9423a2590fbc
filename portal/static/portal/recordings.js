/* Recording players: when the portal cannot play a recording (Stringee still preparing it, busy,
   or the link not on Stringee's servers), show the portal's own words under the player. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const player of document.querySelectorAll("audio[data-recording-player]")) {
    player.addEventListener("error", async () => {
      const note = player.nextElementSibling;
      if (!note || !note.classList.contains("recording-problem")) return;
      try {
        const answer = await fetch(player.currentSrc || player.src, {
          headers: {Range: "bytes=0-0"}, credentials: "same-origin",
        });
        if (answer.ok) return;
        note.textContent = (await answer.text()).slice(0, 300);
        note.hidden = false;
      } catch (failed) { /* offline: the player shows its own error */ }
    });
  }
});
