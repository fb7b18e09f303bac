/** The config written on first start: the demo source, so a newcomer sees Vigil work. */
export function defaultConfigText(demoLog: string): string {
  return `# Vigil configuration. Edit here or in the app; changes apply at once.
# An invalid file is refused (with the key and the reason) and the last good one stays in force.
sources:
  # A log Vigil writes itself so you can see it work. Remove this source to stop it.
  - name: demo
    type: file
    path: ${JSON.stringify(demoLog)}
    start: beginning
  # - name: app
  #   type: file
  #   path: /var/log/app/*.log    # a file, a glob, or a directory
  #   start: end                  # where a new source begins: end (default) or beginning
channels: []
rules: []
`;
}
