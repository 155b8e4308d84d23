import { Controller, Get } from '@nestjs/common';

import { DashboardService } from '../../../../libs/records/src/dashboard.service';
import { DUE_SOON_DAYS } from '../../../../libs/records/src/kinds/compliance.kind';

@Controller()
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  async show() {
    const dashboard = await this.dashboard.load();
    const attentionCount =
      dashboard.overdueInvoices.length + dashboard.overdueCompliance.length + dashboard.openProposals.length;
    return {
      view: 'pages/dashboard',
      title: 'Dashboard',
      section: 'dashboard',
      dashboard,
      attentionCount,
      dueSoonDays: DUE_SOON_DAYS,
    };
  }
}
