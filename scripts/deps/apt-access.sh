# Sourced by the dependency scripts: may this user install with apt?
# Root may; so may a CI user with passwordless sudo (GitHub-hosted runners), through SUDO.
# Sets can_apt (1 or 0) and SUDO (an array: empty, or `sudo -n`).
can_apt=0
SUDO=()
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    can_apt=1
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    can_apt=1
    SUDO=(sudo -n)
  fi
fi
