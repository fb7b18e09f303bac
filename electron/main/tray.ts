import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { TrayModel } from '../../shared/types.js';

export interface TrayActions {
  show(): void;
  openAnomaly(id: number): void;
  quit(): void;
}

/**
 * The tray icon: Vigil keeps watching when its window is closed. The icon takes the colour
 * of the worst open anomaly, the tooltip counts them, the menu lists the recent ones.
 */
export class VigilTray {
  private readonly tray: Tray;

  constructor(
    private readonly iconDir: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(this.icon(null));
    this.tray.on('click', actions.show);
    this.update({ worstSeverity: null, count: 0, tooltip: 'Vigil: watching your logs', recent: [] });
  }

  update(model: TrayModel): void {
    this.tray.setImage(this.icon(model.worstSeverity));
    this.tray.setToolTip(model.tooltip);
    if (process.platform === 'darwin') this.tray.setTitle(model.count ? String(model.count) : '');
    const recent: MenuItemConstructorOptions[] = model.recent.map((a) => ({
      label: `[${a.severity}] ${a.title.slice(0, 70)}`,
      click: () => this.actions.openAnomaly(a.id),
    }));
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show Vigil', click: this.actions.show },
        { type: 'separator' },
        ...(recent.length ? [{ label: `${model.count} open anomal${model.count === 1 ? 'y' : 'ies'}`, enabled: false }, ...recent] : [{ label: 'No open anomalies', enabled: false }]),
        { type: 'separator' },
        { label: 'Quit', click: this.actions.quit },
      ]),
    );
  }

  destroy(): void {
    this.tray.destroy();
  }

  private icon(severity: TrayModel['worstSeverity']) {
    return nativeImage.createFromPath(join(this.iconDir, `tray-${severity ?? 'ok'}.png`));
  }
}
