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
  link.href = URL.createObjectURL(file);
  link.download = file.name;
  link.textContent = file.name;
  const item = document.createElement("li");
  item.append(link, document.createTextNode(` (${file.size} bytes, from ${from})`));
  files.append(item);
});
