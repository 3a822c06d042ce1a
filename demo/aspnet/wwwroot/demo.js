// Page script: reacts to <peer-chat>'s DOM events. Text from peers is set with textContent, never as HTML.
const chat = document.querySelector("peer-chat");
const notice = document.getElementById("notice");
const files = document.getElementById("files");

chat.addEventListener("peer-chat-message", (event) => {
  const { from, text, direction } = event.detail;
  if (direction === "in") {
    notice.textContent = `New message from ${from}: ${text}`;
  }
});

chat.addEventListener("peer-chat-file", (event) => {
  const { from, file } = event.detail;
  const link = document.createElement("a");
  // The file's type is the sender's claim: typed as bytes, the link downloads it, and never
  // opens it as a page of this site (a file claiming text/html would).
  link.href = URL.createObjectURL(file.slice(0, file.size, "application/octet-stream"));
  link.download = file.name;
  link.textContent = file.name;
  const item = document.createElement("li");
  item.append(link, document.createTextNode(` (${file.size} bytes, from ${from})`));
  files.append(item);
});
