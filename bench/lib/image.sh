# Sourced by the harnesses that run `serve` with the image's JVM options (and by .ci/kubernetes.sh):
# the one reading of them.
#
#   image_java_opts     prints the words of the Dockerfile's ENTRYPOINT between `java` and `-jar`
#                       (run from the repository root), so a benchmark follows the image

image_java_opts() {
  python3 - <<'PY'
import json, re
text = open("Dockerfile").read().replace("\\\n", " ")
words = json.loads(re.search(r"^ENTRYPOINT\s+(\[.*?\])", text, re.M | re.S).group(1))
print(" ".join(words[1:words.index("-jar")]))
PY
}
