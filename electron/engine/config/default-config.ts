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
  # - name: containers
  #   type: docker
  #   containers: [web, /^api-/]    # names or /regex/; omit for all containers
  #   labels: [com.example.watch=true]
  # - name: system
  #   type: journald                # the systemd journal (journalctl)
  #   units: [nginx.service]        # optional; omit for the whole journal
  # - name: alerts
  #   type: file
  #   path: /var/log/monitor/alerts.jsonl
  #   format: alert-jsonl           # {"type":"anomaly","severity":...} lines become anomalies
# Where anomalies are sent (toast, n8n, slack, discord, webhook, email). With no
# notify rules, every enabled channel receives every anomaly.
channels: []
#   - name: desktop
#     type: toast
#   - name: ops
#     type: slack
#     url: https://hooks.slack.com/services/...   # the app stores it as a secret
# notify:
#   groupWindow: 30s                # anomalies opened together go out as one message
#   repeatInterval: 4h              # an open anomaly is told again only after this
#   rules:
#     - name: urgent
#       minSeverity: high
#       channels: [ops]
#   inhibit:                        # while a critical anomaly of a source is going,
#     - when: { minSeverity: critical }   # its lesser ones page nobody (told when it resolves)
#       mute: { maxSeverity: high }
#       equal: [source]
# Detection rules: a regex or field condition with a severity and a category.
rules: []
#   - name: payment failures
#     regex: 'payment .* failed'
#     severity: high
#     category: payments
# How much the store keeps. Past a bound the oldest lines go (each removal is logged in
# the retention_log table); the defaults are in the comments.
# store:
#   maxSize: 4GiB                   # default: 10% of the disk, at most 4 GiB
#   keepFree: 2GiB                  # space left free on the disk; default 5% of it, at most 4 GiB
#   maxAge: 30d                     # default: none
`;
}
